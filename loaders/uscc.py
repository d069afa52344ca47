"""统一社会信用代码 (unified social credit code, GB 32100-2015): validity and region.

An 18-character code: registration authority (1), entity type (1), the registering
authority's administrative division (6, characters 3–8), organisation code (9) and a
check character. Characters come from ``0-9`` and ``A-Y`` without I, O, S, V and Z;
the check character makes the weighted sum of all 18 a multiple of 31. A code whose
check character is wrong was mistyped, and its division code cannot be trusted.
"""

from __future__ import annotations

__all__ = ["CHARSET", "check_character", "is_valid_credit_code", "credit_code_division"]

CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_VALUE = {ch: i for i, ch in enumerate(CHARSET)}


def check_character(first17):
    """The check character (GB 32100-2015) for the first 17 characters of a code.

    Examples
    --------
    >>> check_character("91350100M000100Y4")
    '3'
    """
    total = sum(_VALUE[ch] * w for ch, w in zip(first17.upper(), _WEIGHTS))
    return CHARSET[(31 - total % 31) % 31]


def is_valid_credit_code(code):
    """Whether ``code`` is a well-formed credit code with the right check character.

    Examples
    --------
    >>> is_valid_credit_code("91350100M000100Y43")
    True
    >>> is_valid_credit_code("91350100M000100Y44")   # one character mistyped
    False
    >>> is_valid_credit_code("600373.SH")
    False
    """
    code = str(code).strip().upper()
    if len(code) != 18 or any(ch not in _VALUE for ch in code):
        return False
    if not code[2:8].isdigit():
        return False
    return check_character(code[:17]) == code[17]


def credit_code_division(code):
    """The 6-digit division code (characters 3–8) of a valid credit code, else None.

    Examples
    --------
    >>> credit_code_division("91350100M000100Y43")
    '350100'
    >>> credit_code_division("91350100M000100Y44") is None
    True
    """
    code = str(code).strip().upper()
    return code[2:8] if is_valid_credit_code(code) else None
