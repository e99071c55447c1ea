"""User names as Reservia compares them: after Unicode NFKC normalisation and case folding, and
written in one script at a time, so that no two accounts look the same on screen.

"Admin", "ＡＤＭＩＮ" (full-width) and "admin" are one name; "аdmin", whose first letter is
Cyrillic, is refused outright, as are other mixes of scripts whose letters look alike.
"""
import hashlib
import unicodedata

from confusable_homoglyphs import categories

# Not a script of their own: digits, punctuation, symbols, combining marks, unassigned code points.
_NEUTRAL = {"COMMON", "INHERITED", "Unknown"}
# Scripts that are written together (Unicode's UTS #39, "highly restrictive" profile): Japanese,
# Chinese with Bopomofo, Korean, each with Latin.
_WRITTEN_TOGETHER = ({"LATIN", "HAN", "HIRAGANA", "KATAKANA"}, {"LATIN", "HAN", "BOPOMOFO"},
                     {"LATIN", "HAN", "HANGUL"})
# Scripts with letters that pass for Latin ones (а, ο, ս, Ꭺ ...): never mixed with another script.
_LOOKALIKES = {"CYRILLIC", "GREEK", "ARMENIAN", "CHEROKEE", "COPTIC"}


def normalised(name):
    """The name as Reservia stores and shows it: Unicode NFKC (full-width letters become plain,
    ligatures are split), so that what people see is what is compared."""
    return unicodedata.normalize("NFKC", name)


def canonical(name):
    """The name as Reservia compares it: NFKC, case-folded, NFKC again ("Straße" is "strasse")."""
    return unicodedata.normalize("NFKC", normalised(name).casefold())


def key_of(name):
    """What the users table's unique name_key holds: a fixed-size digest of the canonical name,
    so that a unique index takes any name, however much case folding lengthens it."""
    return hashlib.sha256(canonical(name).encode("utf-8", "surrogatepass")).hexdigest()


def scripts_of(name):
    """The scripts the name's letters are written in, digits, punctuation and marks left out."""
    return categories.unique_aliases(name) - _NEUTRAL


def mixed_scripts(name):
    """The scripts of a name that mixes look-alike ones (sorted, for a message), else None.

    One script is always fine, and so are the mixes of UTS #39's moderately restrictive profile:
    Japanese, Chinese and Korean with Latin, or Latin with one other script whose letters do not
    pass for Latin ones (Latin and Arabic, say).
    """
    scripts = scripts_of(name)
    if len(scripts) <= 1 or any(scripts <= together for together in _WRITTEN_TOGETHER):
        return None
    if len(scripts) == 2 and "LATIN" in scripts and not scripts & _LOOKALIKES:
        return None
    return sorted(script.capitalize() for script in scripts)
