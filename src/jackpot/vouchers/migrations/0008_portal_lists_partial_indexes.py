"""The portal's own partial indexes: the refunds list (vouchers in a refund state, newest first)
and the search by customTransactionId (portal.search), each over the few rows it serves."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('vouchers', '0007_portal_lists_indexes'),
    ]

    operations = [
        migrations.AddIndex(
            model_name='voucher',
            index=models.Index(condition=models.Q(('state__in', ['REFUNDING', 'REFUNDED', 'REFUND_REJECTED'])), fields=['partner', '-reservation_date', '-id'], name='voucher_partner_refunds'),
        ),
        migrations.AddIndex(
            model_name='voucher',
            index=models.Index(condition=models.Q(('custom_transaction_id', ''), _negated=True), fields=['partner', 'custom_transaction_id'], name='voucher_partner_transaction'),
        ),
    ]
