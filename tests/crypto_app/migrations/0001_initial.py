import waymark.fields
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = []

    operations = [
        migrations.CreateModel(
            name="Secret",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("note", waymark.fields.EncryptedTextField(blank=True, null=True)),
                ("data", waymark.fields.EncryptedJSONField(null=True)),
            ],
        ),
    ]
