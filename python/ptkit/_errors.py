# SPDX-License-Identifier: MIT
"""ptkit.Error, ptkit.NotMapped and ptkit.Corrupt."""


class Error(Exception):
    """Something ptkit refused or could not read; the message names what is wrong.

    code is the library's PT_E* number (positive), or 0 when the package found it.
    """

    def __init__(self, message, code=0):
        super().__init__(message)
        self.code = code


class NotMapped(Error):
    """The VA is not mapped: the MMU would fault. level: where the walk stopped (0 is the
    smallest pages), level_name its name ("pte", "pmd", ...), va the address."""

    def __init__(self, message, va, level, level_name, code=4):
        super().__init__(message, code)
        self.va = va
        self.level = level
        self.level_name = level_name


class Corrupt(Error):
    """The tree holds an entry the MMU cannot use (or a table pointer outside memory).
    va, end: the VAs that entry covers, [va, end) (end 2**64 at the top); level, level_name:
    where it is; why: what is wrong with it, in the CLI's words. Tables.leaves(errors="yield")
    yields these in the listing, as `ptkit dump` lists them, and goes on after them."""

    def __init__(self, message, va, end, level, level_name, why, code=0):
        super().__init__(message, code)
        self.va = va
        self.end = end
        self.level = level
        self.level_name = level_name
        self.why = why
