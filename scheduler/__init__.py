"""Long-running work of the daemon: the handoff workers and periodic jobs."""
