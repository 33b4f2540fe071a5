"""The claim catalogue: one TOML file per source (package data)."""
