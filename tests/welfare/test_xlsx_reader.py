"""The xlsx reader's block scan gives exactly what expat's events give, whatever the sheet's spelling.

The scan (`_scan_rows`) reads the plain shape Excel, LibreOffice and openpyxl write with one pattern
and every other spelling with a general one, and hands a sheet with comments or CDATA to expat's
events (`_rows_by_events`). Each test writes a sheet by hand and compares both readers, also with
blocks of a few bytes, so rows, tags and entities are cut at every place a real block edge can fall.
"""

import zipfile

import pytest

from applicants.welfare import reader
from applicants.welfare.reader import Limits, XlsxFormatError, iter_first_sheet
from tests.welfare.test_hostile_files import MAIN_NS, build_xlsx

STYLES = (
    f'<styleSheet xmlns="{MAIN_NS}"><numFmts count="1"><numFmt numFmtId="164" formatCode="dd/mm/yyyy"/>'
    '</numFmts><cellXfs count="2"><xf numFmtId="0"/><xf numFmtId="164"/></cellXfs></styleSheet>'
)
SHARED = (
    f'<sst xmlns="{MAIN_NS}"><si><t>SITI &amp; ANI</t></si><si><r><t>BU</t></r><r><t>DI</t></r>'
    '<rPh><t>phonetic</t></rPh></si><si><t>3671010101500001</t></si></sst>'
)

# Rows in the spellings found in the wild, each in its own row.
SPELLINGS = {
    "plain": '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" s="1"><v>32000</v></c><c r="C1"><v>7</v></c>'
             '<c r="D1" t="inlineStr"><is><t>Jl. Mawar &lt;3&gt; &#x41;&#66;</t></is></c></row>',
    "gaps and empty cells": '<row r="2"><c r="A2" t="s"><v>2</v></c><c r="D2"/><c r="F2" s="1"></c>'
                            '<c r="H2" t="b"><v>1</v></c><c r="I2" t="str"><v>teks</v></c></row>',
    "quotes and order": "<row r='3' spans='1:3'><c t='s' r='A3'><v>1</v></c><c s=\"0\" r=\"B3\"><v>1.5</v></c></row>",
    "formula": '<row r="4"><c r="A4"><f>SUM(B4:C4)</f><v>3</v></c><c r="B4" t="str"><f>A1</f><v>x&amp;y</v></c></row>',
    "rich inline": '<row r="5"><c r="A5" t="inlineStr"><is><r><t xml:space="preserve"> NUR </t></r><r><t>ANI</t></r>'
                   '<rPh sb="0" eb="1"><t>x</t></rPh></is></c></row>',
    "whitespace between cells": '<row r="6">\n  <c r="A6" t="s"><v>0</v></c>\r\n  <c r="B6"><v>2</v></c>\n</row>',
    "no references": '<row><c t="s"><v>0</v></c><c><v>4</v></c></row><row><c><v>5</v></c></row>',
    "self-closing and empty rows": '<row r="9"/><row r="10"></row><row r="11"><c r="A11"><v>11</v></c></row>',
    "line ends in text": '<row r="12"><c r="A12" t="inlineStr"><is><t>a\r\nb&#13;c</t></is></c></row>',
}


def prefixed(rows_xml: str) -> str:
    """The same rows with the main namespace on a prefix (<x:row>, <x:c>), as some generators write."""
    for tag in ("row", "c", "v", "f", "is", "t", "r", "rPh"):
        rows_xml = rows_xml.replace(f"<{tag} ", f"<x:{tag} ").replace(f"<{tag}>", f"<x:{tag}>")
        rows_xml = rows_xml.replace(f"<{tag}/>", f"<x:{tag}/>").replace(f"</{tag}>", f"</x:{tag}>")
    return rows_xml


def write(path, rows_xml: str, *, prefix: bool = False, before: str = "") -> object:
    if prefix:
        sheet = (f'<x:worksheet xmlns:x="{MAIN_NS}">{before}<x:sheetData>{prefixed(rows_xml)}</x:sheetData>'
                 "</x:worksheet>")
    else:
        sheet = f'<worksheet xmlns="{MAIN_NS}">{before}<sheetData>{rows_xml}</sheetData></worksheet>'
    build_xlsx(path, ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' + sheet).encode(), SHARED.encode())
    with zipfile.ZipFile(path, "a") as archive:
        archive.writestr("xl/styles.xml", STYLES)
    return path


def by_events(path, limits=None) -> list:
    limits = limits or Limits()
    with reader.open_archive(path, limits) as archive:
        sheet = reader._first_sheet_path(archive)
        strings, styles = reader._shared_strings(archive, limits), reader._date_styles(archive)
        return list(reader._rows_by_events(archive, sheet, strings, styles, limits, None))


def by_scan(path, limits=None) -> list:
    limits = limits or Limits()
    with reader.open_archive(path, limits) as archive:
        sheet = reader._first_sheet_path(archive)
        strings, styles = reader._shared_strings(archive, limits), reader._date_styles(archive)
        return list(reader._scan_rows(archive, sheet, strings, styles, limits, None))


@pytest.mark.parametrize("prefix", [False, True], ids=["unprefixed", "prefixed"])
@pytest.mark.parametrize("block", [1 << 20, 7, 1], ids=["one block", "7-byte blocks", "1-byte blocks"])
def test_the_scan_reads_every_spelling_exactly_as_expat_does(tmp_path, monkeypatch, prefix, block):
    path = write(tmp_path / "s.xlsx", "".join(SPELLINGS.values()), prefix=prefix,
                 before='<sheetViews><sheetView workbookViewId="0"/></sheetViews>')
    expected = by_events(path)
    monkeypatch.setattr(reader, "BLOCK", block)
    assert by_scan(path) == expected
    assert list(iter_first_sheet(path)) == expected
    rows = dict(expected)
    assert rows[1][0] == "SITI & ANI" and rows[1][1].isoformat() == "1987-08-11" and rows[1][2] == 7
    assert rows[1][3] == "Jl. Mawar <3> AB"
    assert rows[2] == ["3671010101500001", "", "", "", "", "", "", True, "teks"]
    assert rows[3] == ["BUDI", 1.5] and rows[4] == [3, "x&y"] and rows[5] == [" NUR ANI"]
    assert rows[7] == ["SITI & ANI", 4] and rows[8] == [5] and 9 not in rows and 10 not in rows
    assert rows[12] == ["a\nb\rc"]


def test_a_sheet_with_a_comment_or_cdata_is_read_by_expat_from_where_the_scan_stopped(tmp_path, monkeypatch):
    rows_xml = ('<row r="1"><c r="A1"><v>1</v></c></row><!-- <row r="99"><c r="A99"><v>99</v></c></row> -->'
                '<row r="2"><c r="A2" t="inlineStr"><is><t><![CDATA[<row>&amp;]]></t></is></c></row>')
    path = write(tmp_path / "c.xlsx", rows_xml)
    monkeypatch.setattr(reader, "BLOCK", 16)
    assert list(iter_first_sheet(path)) == [(1, [1]), (2, ["<row>&amp;"])]


@pytest.mark.parametrize("rows_xml", [
    '<row r="1"><c r="A1"><v>1</v></c></row><row r="2"><c r="A2"><v>2</v>',  # cut inside a row
    '<row r="1"><c r="A1" t="s"><v>9</v></c></row>',  # no such shared string
    '<row r="1"><c r="A1"><v>abc</v></c></row>',  # not a number
    '<row r="1048577"><c r="A1048577"><v>1</v></c></row>',  # past Excel's last row
    '<row r="x"><c r="A1"><v>1</v></c></row>',  # a row number that is none
    '<row r="1"><c r="1"><v>1</v></c></row>',  # a reference without a column
    '<row r="1"><c r="A1"><v>1 &bogus;</v></c></row>',  # an entity XML does not know
    # Rows in the plain shape whose text XML forbids: the pattern reads them, expat must still see them.
    '<row r="1"><c r="A1" t="inlineStr"><is><t>NUR\x01ANI</t></is></c></row>',  # a control character
    '<row r="1"><c r="A1" t="inlineStr"><is><t>a]]>b</t></is></c></row>',  # "]]>" outside CDATA
    '<row r="1"><c r="A1" t="inlineStr"><is><t>a\ufffeb</t></is></c></row>',  # not an XML character
    '<row r="1"><c r="A1"><v>1</v></c></row><row r="2" r="3"><c r="A2"><v>2</v></c></row>',  # attribute twice
    '<row r="1"><c r="A1"><v>1</v></c></row><sheetPr><row r="2"><c r="A2"><v>2</v></c></row>',  # unclosed tag
    '<row r="1"><c r="A1"><v>1</v></c></row>text & more<row r="2"><c r="A2"><v>2</v></c></row>',  # bare "&"
    '<row r="1"><c r="A1"><v>1</v></c></row></sheetData><row r="2"><c r="A2"><v>2</v></c></row>',  # end tags
])
@pytest.mark.parametrize("block", [1 << 20, 7, 1], ids=["one block", "7-byte blocks", "1-byte blocks"])
def test_a_damaged_sheet_is_refused_by_the_scan_as_by_expat(tmp_path, monkeypatch, rows_xml, block):
    if rows_xml.endswith("<v>2</v>"):
        path = tmp_path / "d.xlsx"
        build_xlsx(path, f'<worksheet xmlns="{MAIN_NS}"><sheetData>{rows_xml}'.encode())
    else:
        path = write(tmp_path / "d.xlsx", rows_xml)
    monkeypatch.setattr(reader, "BLOCK", block)
    for read in (by_events, by_scan, lambda p: list(iter_first_sheet(p))):
        with pytest.raises(XlsxFormatError, match="rusak atau terpotong"):
            read(path)


@pytest.mark.parametrize("tail", ["</sheetData>", "</sheetData></worksheet><worksheet>", ""])
def test_a_sheet_cut_or_doubled_after_its_last_row_is_refused(tmp_path, monkeypatch, tail):
    """expat sees the sheet's head and tail whole, also when every row in between is plain."""
    rows = "".join(f'<row r="{n}"><c r="A{n}"><v>{n}</v></c></row>' for n in range(1, 50))
    path = tmp_path / "t.xlsx"
    build_xlsx(path, f'<worksheet xmlns="{MAIN_NS}"><sheetData>{rows}{tail}'.encode())
    for block in (1 << 20, 5):
        monkeypatch.setattr(reader, "BLOCK", block)
        with pytest.raises(XlsxFormatError, match="rusak atau terpotong"):
            by_scan(path)


def test_plain_text_with_a_character_cut_by_a_block_edge_is_read_whole(tmp_path, monkeypatch):
    """Names beyond ASCII (é, and U+F900 whose lead byte is also in the block check) read the same in
    blocks of every size, and a sheet that is all plain rows reads as expat reads it."""
    rows = "".join(f'<row r="{n}"><c r="A{n}" t="inlineStr"><is><t>Andr\u00e9 \uf900{n}</t></is></c>'
                   f'<c r="B{n}"><v>{n}</v></c></row>' for n in range(1, 30))
    path = write(tmp_path / "u.xlsx", rows)
    expected = by_events(path)
    assert expected[0] == (1, ["Andr\u00e9 \uf9001", 1])
    for block in (1 << 20, 1, 2, 3, 11):
        monkeypatch.setattr(reader, "BLOCK", block)
        assert by_scan(path) == expected


def test_the_scan_keeps_the_column_and_cell_limits(tmp_path):
    wide = "".join(f'<c r="{letter}1"><v>1</v></c>' for letter in "ABCDE")
    path = write(tmp_path / "w.xlsx", f'<row r="1">{wide}</row>')
    with pytest.raises(XlsxFormatError, match="lebih dari 4 kolom"):
        by_scan(path, Limits(max_columns=4))
    far = write(tmp_path / "f.xlsx", '<row r="1"><c r="AAAAAA1"><v>1</v></c></row>')
    with pytest.raises(XlsxFormatError, match="kolom"):
        by_scan(far)
    long_inline = write(tmp_path / "l.xlsx", f'<row r="3"><c r="A3" t="inlineStr"><is><t>{"x" * 11}</t></is></c></row>')
    with pytest.raises(XlsxFormatError, match="Baris 3 berisi sel lebih dari 10 karakter"):
        by_scan(long_inline, Limits(max_cell_chars=10))
    long_shared = write(tmp_path / "s.xlsx", '<row r="4"><c r="A4" t="s"><v>0</v></c></row>')  # "SITI & ANI": 10
    with pytest.raises(XlsxFormatError, match="Baris 4 berisi sel lebih dari 9 karakter"):
        by_scan(long_shared, Limits(max_cell_chars=9))


def test_a_row_that_never_ends_is_refused_before_it_fills_memory(tmp_path, monkeypatch):
    monkeypatch.setattr(reader, "MAX_PENDING_BYTES", 4096)
    monkeypatch.setattr(reader, "BLOCK", 1024)
    cells = "".join(f'<c r="A{n}"><v>{n}</v></c>' for n in range(2000))  # one column, rewritten: never too wide
    path = write(tmp_path / "r.xlsx", f'<row r="1">{cells}</row>')
    with pytest.raises(XlsxFormatError, match="terlalu besar"):
        by_scan(path, Limits(max_columns=2, max_cell_chars=5))


def test_rows_sharing_a_few_layouts_read_as_expat_reads_them(tmp_path, monkeypatch):
    """Most rows are read by the pattern of a layout seen before (columns, types, attributes): rows that
    repeat, alternate or differ from it in one cell (a gap, another type, a style, an empty cell) read
    exactly as expat's events read them."""
    layouts = [
        '<c r="A{n}"><v>{n}</v></c><c r="B{n}" t="s"><v>0</v></c><c r="C{n}" t="inlineStr"><is><t>NUR {n}</t></is></c>',
        '<c r="A{n}" s="1"><v>32000</v></c><c r="B{n}" t="s"><v>2</v></c><c r="D{n}" t="str"><v>x{n}</v></c>',
        '<c r="A{n}" t="n"><v>1.5</v></c><c r="B{n}" t="s"/><c r="C{n}" t="inlineStr"></c><c r="E{n}"/>',
        '<c r="A{n}"><v>{n}</v></c><c r="C{n}" t="s"><v>0</v></c><c r="D{n}" t="inlineStr"><is><t>NUR {n}</t></is></c>',
        '<c r="B{n}"><v>{n}</v></c><c r="C{n}" t="s"><v>1</v></c><c r="D{n}" t="b"><v>1</v></c>',
        '<c r="A{n}" s="0"><v>007</v></c><c r="B{n}" t="s"><v>0</v></c>'
        '<c r="C{n}" t="inlineStr"><is><t>NUR</t></is></c>',
    ]
    rows = "".join(f'<row r="{n}">{layouts[n % 4 if n < 40 else n % 6].format(n=n)}</row>' for n in range(1, 80))
    path = write(tmp_path / "l.xlsx", rows)
    expected = by_events(path)
    assert len(expected) == 79
    rows_read = dict(expected)
    assert rows_read[4] == [4, "SITI & ANI", "NUR 4"]
    assert rows_read[5][0].isoformat() == "1987-08-11" and rows_read[5][3] == "x5"
    assert rows_read[6] == [1.5, "", "", "", ""] and rows_read[7] == [7, "", "SITI & ANI", "NUR 7"]
    assert rows_read[40] == ["", 40, "BUDI", True] and rows_read[41] == [7, "SITI & ANI", "NUR"]
    for block in (1 << 20, 97, 5):
        monkeypatch.setattr(reader, "BLOCK", block)
        assert by_scan(path) == expected


def test_a_shared_string_past_the_table_is_refused_also_in_a_row_of_a_known_layout(tmp_path):
    rows = "".join(f'<row r="{n}"><c r="A{n}"><v>{n}</v></c><c r="B{n}" t="s"><v>{0 if n < 9 else 7}</v></c></row>'
                   for n in range(1, 10))
    path = write(tmp_path / "s.xlsx", rows)
    with pytest.raises(XlsxFormatError, match="rusak atau terpotong"):
        by_scan(path)


def test_a_line_end_in_plain_text_reads_as_expat_normalises_it(tmp_path, monkeypatch):
    """A CR in a cell's text (no entity in the row) becomes a line feed, as expat gives it, whether the
    row's layout is new or known and whether the block holds a CR or not."""
    two_lines, one_line = "Jl. Mawar\r\nRT 1", "Jl. Melati"
    rows = "".join(f'<row r="{n}"><c r="A{n}"><v>{n}</v></c><c r="B{n}" t="inlineStr"><is><t>'
                   f'{two_lines if n % 3 == 0 else one_line}</t></is></c></row>' for n in range(1, 40))
    path = write(tmp_path / "cr.xlsx", rows)
    expected = by_events(path)
    assert dict(expected)[3] == [3, "Jl. Mawar\nRT 1"]
    for block in (1 << 20, 64, 7):
        monkeypatch.setattr(reader, "BLOCK", block)
        assert by_scan(path) == expected
