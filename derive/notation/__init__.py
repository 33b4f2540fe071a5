"""The notation reader: claim text (LaTeX, declarations) to a structured reading."""
from .declarations import Decl, DeclarationError, parse_declaration
from .errors import LatexError, ShapeMismatch, Unsupported

__all__ = ["Decl", "DeclarationError", "parse_declaration", "LatexError", "ShapeMismatch", "Unsupported"]
