"""Builds ReportChartSans-Regular.otf, the font of the chart labels, from Inter-Regular.otf.

A subset of Inter Regular (Latin, Latin-1, Latin Extended-A, general punctuation, currency and
the few symbols charts print) with kerning as its only layout feature, renamed to the family
"Report Chart Sans". Chart SVGs are decoded once per report, and shaping each label with the full font
(107 substitution lookups) cost more than drawing the chart; characters outside the subset still
render, from Inter itself. Requires fontTools (`pip install fonttools`).

Run from this folder: python3 chart-font.py
"""

from fontTools import subset
from fontTools.ttLib import TTFont

UNICODES = "U+0020-007E,U+00A0-017F,U+2010-2027,U+2030,U+2039,U+203A,U+20AC,U+2122,U+2190-2193,U+2212,U+2264,U+2265"

options = subset.Options()
options.layout_features = ["kern"]
options.name_IDs = ["*"]
options.name_languages = ["*"]
options.notdef_outline = True
options.recalc_timestamp = False
font = TTFont("Inter-Regular.otf", recalcTimestamp=False)
subsetter = subset.Subsetter(options)
subsetter.populate(unicodes=subset.parse_unicodes(UNICODES))
subsetter.subset(font)

NAMES = {1: "Report Chart Sans", 3: "ReportChartSans-Regular", 4: "Report Chart Sans Regular", 6: "ReportChartSans-Regular", 16: "Report Chart Sans"}
for record in font["name"].names:
    if record.nameID in NAMES:
        record.string = NAMES[record.nameID]
font["CFF "].cff.fontNames = ["ReportChartSans-Regular"]
font.save("ReportChartSans-Regular.otf")
