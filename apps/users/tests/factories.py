import factory

from apps.users.models import User


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.com")
    first_name = "Test"
    last_name = "User"
    is_active = True
    email_verified = True

    @factory.post_generation
    def password(self, create, extracted, **kwargs):
        """factory_boy passes the built user as `self`."""
        self.set_password(extracted or "SecurePass123!")
        if create:
            self.save(update_fields=["password"])
