"""The few pieces of nose (not in Debian 12) that PyNN's scenarios import, on pytest and unittest."""
