"""The Indonesian catalogue is complete and compiled, and nothing a person reads escapes it.

Source strings are English; `locale/id/LC_MESSAGES/django.po` holds their Indonesian (docs/translations.md).
These checks read the sources: an untranslated or fuzzy entry, a stale `.mo`, a template text outside
translate tags, or a literal message/label in Python that is not a gettext call all fail here.
"""

import ast
import re
from pathlib import Path

import polib
import pytest
from django.template.base import Lexer, TokenType
from django.utils.translation import gettext, override

ROOT = Path(__file__).resolve().parents[2]
PO = ROOT / "locale" / "id" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")
SOURCE_DIRS = ("applicants", "programs", "public_pages", "site", "templates")

# Text that is the same in every language: the portal's and the office's names, units, symbols.
ALLOWED_TEXT = {
    "Sigap Kerja", "Dinsos", "DTSEN", "DTKS", "NIK", "KK", "KUB", "UU PDP", "WhatsApp", "Wagtail", "xlsx", "csv",
    "JSON", "QR", "Rp", "RSS", "Atom", "Kota Tangerang", "SK", "HP", "ID", "PDF", "CSV", "XLSX", "No.", "No",
    "RT", "RW",
}
# Blocks whose content is a value for the layout (a CSS class, a page size), not text a person reads.
LAYOUT_BLOCKS = {"bodyclass", "body_class", "og_type", "orientation", "width", "style", "extra_css", "extra_js"}
# Search index declarations name fields, not labels; demo content is what editors would write, not the UI.
INDEX_FIELDS = {"SearchField", "FilterField", "AutocompleteField", "RelatedFields"}
CONTENT_MODULES = {"demo.py"}
# Calls whose first positional argument a person reads, and keywords that are labels.
MESSAGE_FUNCS = {"success", "info", "warning", "error", "debug", "add_message"}
EXCEPTIONS = {"ValidationError", "PermissionDenied"}
LABEL_KEYWORDS = {"verbose_name", "verbose_name_plural", "label", "help_text", "empty_label", "title", "heading"}
GETTEXT_NAMES = {"_", "gettext", "gettext_lazy", "pgettext", "pgettext_lazy", "ngettext", "ngettext_lazy",
                 "npgettext", "npgettext_lazy", "gettext_noop", "format_lazy", "_lazy"}


def source_files(suffixes, dirs=SOURCE_DIRS, root=ROOT):
    for folder in dirs:
        for path in sorted((root / folder).rglob("*")):
            if path.suffix in suffixes and "migrations" not in path.parts and path.is_file():
                yield path


# --- the catalogue -------------------------------------------------------------------------------------

def catalogue_problems(po_path):
    po = polib.pofile(str(po_path))
    problems = []
    for entry in po:
        if entry.obsolete:
            continue
        if "fuzzy" in entry.flags:
            problems.append(f"fuzzy: {entry.msgid!r}")
        elif not entry.translated():
            problems.append(f"untranslated: {entry.msgid!r}")
    if "fuzzy" in (po.metadata_is_fuzzy or []) or po.metadata_is_fuzzy is True:
        problems.append("the header is marked fuzzy")
    if po.metadata.get("Plural-Forms", "").replace(" ", "") != "nplurals=1;plural=0;":
        problems.append("Plural-Forms must be nplurals=1; plural=0;")
    return problems


def mo_problems(po_path, mo_path):
    """Differences between the compiled catalogue and what the .po compiles to."""
    if not mo_path.exists():
        return ["the .mo is missing: run `make messages`"]
    compiled = {(e.msgctxt, e.msgid): (e.msgstr, tuple(sorted(e.msgstr_plural.items())))
                for e in polib.mofile(str(mo_path)) if e.msgid}
    expected = {(e.msgctxt, e.msgid): (e.msgstr, tuple(sorted(e.msgstr_plural.items())))
                for e in polib.pofile(str(po_path)) if e.translated() and not e.obsolete and e.msgid}
    problems = [f"not in the .mo: {key[1]!r}" for key in expected.keys() - compiled.keys()]
    problems += [f"only in the .mo: {key[1]!r}" for key in compiled.keys() - expected.keys()]
    problems += [f"differs in the .mo: {key[1]!r}" for key in expected.keys() & compiled.keys()
                 if expected[key] != compiled[key]]
    return problems


def test_every_catalogue_entry_is_translated_and_none_is_fuzzy():
    assert catalogue_problems(PO) == []


def test_the_compiled_catalogue_is_the_po_compiled():
    assert mo_problems(PO, MO) == []


def test_the_catalogue_is_what_django_uses():
    with override("id"):
        assert gettext("Applicants") == "Pendaftar"


# --- templates -----------------------------------------------------------------------------------------

LETTERS = re.compile(r"[^\W\d_]{2,}")
HTML_TAG = re.compile(r"<(script|style)\b.*?</\1\s*>|<!--.*?-->|<[^>]*>", re.S | re.I)
ENTITY = re.compile(r"&[#\w]+;")
TRANSLATABLE_ATTRS = re.compile(
    r"""\b(title|alt|placeholder|aria-label|aria-description|label)\s*=\s*("[^"{]*"|'[^'{]*')""", re.I
)


def visible_fragments(text):
    """Lines of words a reader would see in this template text (tags, scripts and entities removed)."""
    found = []

    def strip(match):
        tag = match.group(0)
        if not match.group(1) and not tag.startswith("<!--"):
            found.extend(attr.group(2)[1:-1] for attr in TRANSLATABLE_ATTRS.finditer(tag))
        return "\n" * tag.count("\n") or " "

    text = ENTITY.sub(" ", HTML_TAG.sub(strip, text))
    found.extend(text.splitlines())
    words = []
    for fragment in found:
        for allowed in sorted(ALLOWED_TEXT, key=len, reverse=True):
            fragment = re.sub(rf"(?<!\w){re.escape(allowed)}(?!\w)", " ", fragment)
        if LETTERS.search(fragment):
            words.append(" ".join(fragment.split()))
    return words


def template_problems(path, root=ROOT):
    """Text outside {% translate %}/{% blocktranslate %} that contains words."""
    source = path.read_text(encoding="utf-8")
    skip = {"blocktrans": "endblocktrans", "blocktranslate": "endblocktranslate", "comment": "endcomment",
            "verbatim": "endverbatim"}
    closing, text = None, []
    # Template tags and variables become blanks (newlines kept), so an attribute holding a tag is empty.
    for token in Lexer(source).tokenize():
        if token.token_type == TokenType.BLOCK:
            name = (token.contents.split() or [""])[0]
            if closing is None and name in skip:
                closing = skip[name]
            elif closing is None and name == "block" and token.contents.split()[1:2] and \
                    token.contents.split()[1] in LAYOUT_BLOCKS:
                closing = "endblock"
            elif name == closing:
                closing = None
        if token.token_type == TokenType.TEXT and closing is None:
            text.append(token.contents)
        else:
            text.append("\n" * token.contents.count("\n") or " ")
    return [f"{path.relative_to(root)}: {fragment[:80]!r}" for fragment in visible_fragments("".join(text))]


def test_templates_have_no_text_outside_translate_tags():
    problems = [p for path in source_files({".html", ".txt"}) for p in template_problems(path)]
    assert problems == []


# --- Python --------------------------------------------------------------------------------------------

def _is_literal_text(node):
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return LETTERS.search(node.value) is not None
    if isinstance(node, ast.JoinedStr):
        return any(_is_literal_text(v) for v in node.values if isinstance(v, ast.Constant))
    return False


def _call_name(node):
    func = node.func
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return None


def python_problems(path, root=ROOT):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    problems = []
    where = path.relative_to(root)
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        name = _call_name(node)
        is_messages = (isinstance(node.func, ast.Attribute) and isinstance(node.func.value, ast.Name)
                       and node.func.value.id == "messages" and name in MESSAGE_FUNCS)
        if is_messages or name in EXCEPTIONS:
            # messages.x(request, "text"), messages.add_message(request, level, "text"), ValidationError("text")
            index = {"add_message": 2}.get(name, 1) if is_messages else 0
            if len(node.args) > index and _is_literal_text(node.args[index]):
                problems.append(f"{where}:{node.lineno}: {name}() with a literal text")
            if name == "ValidationError" and node.args and isinstance(node.args[0], ast.Dict):
                for value in node.args[0].values:
                    if _is_literal_text(value):
                        problems.append(f"{where}:{node.lineno}: ValidationError({{...}}) with a literal text")
        is_field = name and name.endswith("Field") and name not in INDEX_FIELDS
        if is_field and node.args and _is_literal_text(node.args[0]):
            problems.append(f"{where}:{node.lineno}: {name}() with a literal verbose name")
        for keyword in node.keywords:
            if keyword.arg in LABEL_KEYWORDS and _is_literal_text(keyword.value):
                problems.append(f"{where}:{node.lineno}: {keyword.arg}= with a literal text")
    for node in ast.walk(tree):
        # class Meta: verbose_name = "..." and class attributes such as `label = "..."` of menu items
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            if node.targets[0].id in LABEL_KEYWORDS and _is_literal_text(node.value):
                problems.append(f"{where}:{node.lineno}: {node.targets[0].id} = a literal text")
    return problems


def test_python_messages_and_labels_are_gettext_calls():
    problems = [p for path in source_files({".py"}, dirs=("applicants", "programs", "public_pages", "site"))
                if path.name not in CONTENT_MODULES for p in python_problems(path)]
    assert problems == []


# --- the checks can fail ---------------------------------------------------------------------------------

BAD_PO = """msgid ""
msgstr ""
"Content-Type: text/plain; charset=UTF-8\\n"
"Plural-Forms: nplurals=1; plural=0;\\n"

msgid "Applicants"
msgstr "Pendaftar"

msgid "Save"
msgstr ""

#, fuzzy
msgid "Saved"
msgstr "Disimpan"
"""

BAD_TEMPLATE = """{% load i18n %}
<h1>{% translate "Applicants" %}</h1>
<p>Daftar peserta</p>
<input placeholder="Cari nama">
<script>const label = "ignored";</script>
<footer>Sigap Kerja &middot; {{ year }}</footer>
"""

BAD_PYTHON = """
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


class Thing(models.Model):
    name = models.CharField("nama", max_length=5, help_text="Nama lengkap")
    ok = models.CharField(_("ok"), max_length=5, help_text=_("Fine"))

    class Meta:
        verbose_name = "benda"


def view(request):
    messages.success(request, "Tersimpan.")
    messages.success(request, _("Saved."))
    raise ValidationError({"name": "Wajib diisi"})
"""


@pytest.fixture
def bad_tree(tmp_path):
    (tmp_path / "bad.po").write_text(BAD_PO, encoding="utf-8")
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "bad.html").write_text(BAD_TEMPLATE, encoding="utf-8")
    (tmp_path / "bad.py").write_text(BAD_PYTHON, encoding="utf-8")
    return tmp_path


def test_catalogue_check_fails_on_untranslated_and_fuzzy_entries(bad_tree):
    assert catalogue_problems(bad_tree / "bad.po") == ["untranslated: 'Save'", "fuzzy: 'Saved'"]


def test_mo_check_fails_on_a_stale_or_missing_mo(bad_tree):
    good = polib.pofile(BAD_PO)
    good.save_as_mofile(str(bad_tree / "bad.mo"))
    stale = polib.pofile(BAD_PO)
    stale.find("Applicants").msgstr = "Pelamar"
    stale.save(str(bad_tree / "bad.po"))
    assert mo_problems(bad_tree / "bad.po", bad_tree / "bad.mo") == ["differs in the .mo: 'Applicants'"]
    assert mo_problems(bad_tree / "bad.po", bad_tree / "missing.mo") == ["the .mo is missing: run `make messages`"]


def test_template_check_finds_text_and_attributes_but_not_scripts_or_brand_names(bad_tree):
    problems = [p.split(": ", 1)[1] for p in template_problems(bad_tree / "templates" / "bad.html", bad_tree)]
    assert problems == ["'Cari nama'", "'Daftar peserta'"]


def test_python_check_finds_literal_labels_messages_and_errors(bad_tree):
    problems = [p.split(": ", 1)[1] for p in python_problems(bad_tree / "bad.py", root=bad_tree)]
    assert sorted(problems) == sorted([
        "CharField() with a literal verbose name",
        "help_text= with a literal text",
        "success() with a literal text",
        "ValidationError({...}) with a literal text",
        "verbose_name = a literal text",
    ])
