"""The one exception every refusal shown to a person derives from."""


class Refused(ValueError):
    """A request refused for a reason the person can act on; its message is
    written for them and shown as it is (beside the field at fault where the
    refusal names one). Nothing was changed."""
