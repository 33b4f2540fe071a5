"""The notation reader: claim text (LaTeX, declarations) to a structured reading."""
from .declarations import Decl, DeclarationError, parse_declaration
from .errors import LatexError, ShapeMismatch, Unsupported
from .readers import READERS, reader

__all__ = ["Decl", "DeclarationError", "parse_declaration", "LatexError", "ShapeMismatch", "Unsupported",
           "READERS", "reader"]
