"""The mathematics: primitives, arrays, conventions, optimizers, theorems, rewrites, zero test."""
