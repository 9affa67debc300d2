"""Shared form helpers: turning a service's Invalid into a field message."""

from tribune.services import Invalid


def attach_error(form, error: Invalid):
    """Show a service's validation error on the field it names (or on the whole form)."""
    field = getattr(form, error.field, None) if error.field else None
    if field is not None:
        field.errors = [*list(field.errors or []), str(error.message)]
    else:
        form.form_errors.append(str(error.message))
