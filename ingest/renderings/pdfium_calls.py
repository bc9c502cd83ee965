"""pdfium's C functions as this reader calls them: handles as plain integers.

pypdfium2's raw bindings (ctypesgen) return every handle as a typed pointer, so using one as a dictionary key
costs a ``ctypes.cast`` and each call converts its pointer arguments by type; a page of a Chinese report holds
hundreds of text objects of a character or two and several clip-path segments each, which made those
conversions a measurable part of reading a page (docs/BENCHMARKS.md). These are the same functions of the same
library that pypdfium2 loaded, declared again with ``c_void_p`` handles (fresh function objects from
``CDLL.__getitem__``, so pypdfium2's own declarations are untouched).
"""

from __future__ import annotations

import ctypes

import pypdfium2.raw as pdfium_c
from pypdfium2_raw.bindings import _libs

_lib = _libs["pdfium"]
H = ctypes.c_void_p
INT, UINT, ULONG, FLOAT = ctypes.c_int, ctypes.c_uint, ctypes.c_ulong, ctypes.c_float
P_FLOAT, P_DOUBLE, P_UINT, P_INT = (ctypes.POINTER(ctypes.c_float), ctypes.POINTER(ctypes.c_double),
                                    ctypes.POINTER(ctypes.c_uint), ctypes.POINTER(ctypes.c_int))


def _declare(name: str, restype, *argtypes):
    function = _lib[name]
    function.restype = restype
    function.argtypes = list(argtypes)
    return function


def _unchecked(name: str, restype):
    """The function without declared argument types: ctypes then converts no argument through a type's
    ``from_param`` (which builds a new ``c_void_p`` per handle per call: half the cost of the calls made per
    character). Call it only with ``ctypes.c_void_p`` handles, Python ints for C ints and ``byref`` pointers:
    an int handle would be passed as a 32-bit int, and a float as a double."""
    function = _lib[name]
    function.restype = restype
    function.argtypes = None
    return function


def handle(pointer) -> int:
    """A pypdfium2 handle (typed pointer) as the integer these functions take."""
    return ctypes.cast(pointer, ctypes.c_void_p).value or 0


# page objects
page_count_objects = _declare("FPDFPage_CountObjects", INT, H)
page_get_object = _declare("FPDFPage_GetObject", H, H, INT)
form_count_objects = _declare("FPDFFormObj_CountObjects", INT, H)
form_get_object = _declare("FPDFFormObj_GetObject", H, H, ULONG)
object_type = _declare("FPDFPageObj_GetType", INT, H)
object_bounds = _declare("FPDFPageObj_GetBounds", INT, H, P_FLOAT, P_FLOAT, P_FLOAT, P_FLOAT)
object_matrix = _declare("FPDFPageObj_GetMatrix", INT, H, ctypes.POINTER(pdfium_c.FS_MATRIX))
object_clip_path = _declare("FPDFPageObj_GetClipPath", H, H)
object_stroke_width = _declare("FPDFPageObj_GetStrokeWidth", INT, H, P_FLOAT)
object_stroke_color = _declare("FPDFPageObj_GetStrokeColor", INT, H, P_UINT, P_UINT, P_UINT, P_UINT)
object_fill_color = _declare("FPDFPageObj_GetFillColor", INT, H, P_UINT, P_UINT, P_UINT, P_UINT)

# clip paths and path segments
clip_count_paths = _declare("FPDFClipPath_CountPaths", INT, H)
clip_count_segments = _declare("FPDFClipPath_CountPathSegments", INT, H, INT)
clip_segment = _declare("FPDFClipPath_GetPathSegment", H, H, INT, INT)
path_count_segments = _declare("FPDFPath_CountSegments", INT, H)
path_segment = _declare("FPDFPath_GetPathSegment", H, H, INT)
path_draw_mode = _declare("FPDFPath_GetDrawMode", INT, H, P_INT, P_INT)
segment_point = _declare("FPDFPathSegment_GetPoint", INT, H, P_FLOAT, P_FLOAT)
segment_type = _declare("FPDFPathSegment_GetType", INT, H)
segment_closes = _declare("FPDFPathSegment_GetClose", INT, H)

# text objects and fonts
text_object_font = _declare("FPDFTextObj_GetFont", H, H)
text_object_font_size = _declare("FPDFTextObj_GetFontSize", INT, H, P_FLOAT)
font_glyph_width = _declare("FPDFFont_GetGlyphWidth", INT, H, UINT, FLOAT, P_FLOAT)
font_descent = _declare("FPDFFont_GetDescent", INT, H, FLOAT, P_FLOAT)
font_base_name = _declare("FPDFFont_GetBaseFontName", ctypes.c_size_t, H, ctypes.c_char_p, ctypes.c_size_t)

# the text page
text_count_chars = _declare("FPDFText_CountChars", INT, H)
text_unicode = _declare("FPDFText_GetUnicode", UINT, H, INT)
text_is_generated = _declare("FPDFText_IsGenerated", INT, H, INT)
text_object = _declare("FPDFText_GetTextObject", H, H, INT)
text_matrix = _declare("FPDFText_GetMatrix", INT, H, INT, ctypes.POINTER(pdfium_c.FS_MATRIX))
text_origin = _declare("FPDFText_GetCharOrigin", INT, H, INT, P_DOUBLE, P_DOUBLE)
text_loose_box = _declare("FPDFText_GetLooseCharBox", INT, H, INT, ctypes.POINTER(pdfium_c.FS_RECTF))

class Segment(ctypes.c_void_p):
    """A path segment handle kept as a ctypes object (a ``c_void_p`` subclass as a return type is not turned
    into an int), to hand straight to the unchecked segment functions."""


# per path segment (``pdf_pdfium._paths``): the path as c_void_p, its segments as ``Segment``
path_segment_unchecked = _unchecked("FPDFPath_GetPathSegment", Segment)
segment_type_unchecked = _unchecked("FPDFPathSegment_GetType", INT)
segment_point_unchecked = _unchecked("FPDFPathSegment_GetPoint", INT)
segment_closes_unchecked = _unchecked("FPDFPathSegment_GetClose", INT)

# per character (``pdf_pdfium._chars``): (text page as c_void_p, index[, c_double byref, c_double byref])
text_unicode_unchecked = _unchecked("FPDFText_GetUnicode", UINT)
text_is_generated_unchecked = _unchecked("FPDFText_IsGenerated", INT)
text_object_unchecked = _unchecked("FPDFText_GetTextObject", H)
text_origin_unchecked = _unchecked("FPDFText_GetCharOrigin", INT)
