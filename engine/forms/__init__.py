"""Forms: what a user task or start event asks for, read from three editors' form dialects.

`description` reads Camunda 7 form fields, Camunda Forms (form-js) and SpiffArena's JSON-schema
forms (`json_schema`) into one description; `validation` checks and converts submitted values
against it, field by field.
"""

from .description import form_files, parse_form
from .validation import MISSING, ValueBroken, coerce, lookup, validate

__all__ = ["MISSING", "ValueBroken", "coerce", "form_files", "lookup", "parse_form", "validate"]
