-- Product vectors stored in the product's row (up to a page) instead of the TOAST table.
-- A 512-dimension vector is just over the 2 kB at which PostgreSQL moves a value out of
-- the row, so every vector a search compared was fetched from a second table: a search
-- cost three times the CPU it does inline. Rows over a page are still TOASTed as before.
ALTER TABLE products SET (toast_tuple_target = 8160);
-- Rewrite the vectors already stored (an unchanged value would keep its TOAST pointer).
UPDATE products SET embedding = embedding::real[]::vector WHERE embedding IS NOT NULL;
