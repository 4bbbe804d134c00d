"""Planning tools that turn a blank month into a plan (queues, series and the like)."""
