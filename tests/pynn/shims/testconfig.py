"""Stand-in for nose-testconfig (not in Debian): the scenarios read `config` for optional
filters; the driver sets none."""
config = {}
