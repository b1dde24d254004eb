from django.core.validators import MinValueValidator
from django.db import models

from apps.common.currencies import MONEY_DECIMAL_PLACES, MONEY_MAX_DIGITS, MONEY_MIN


class BaseModel(models.Model):
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


def money_field(**kwargs) -> models.DecimalField:
    """An amount of money: positive unless said otherwise, stored with the most decimals any currency has
    (each currency's own minor unit is enforced on input)."""
    kwargs.setdefault("validators", [MinValueValidator(MONEY_MIN)])
    return models.DecimalField(max_digits=MONEY_MAX_DIGITS, decimal_places=MONEY_DECIMAL_PLACES, **kwargs)
