"""The inbox's core pieces: queries, ingest of fetched notifications, and their normalising."""
