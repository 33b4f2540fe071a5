"""The version of nnderive (also the key of the result cache)."""
VERSION = "0.2.0"
