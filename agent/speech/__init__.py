"""Speech around the agent: voice notes transcribed before a turn, answers spoken after."""
