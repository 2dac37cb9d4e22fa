"""The indexes of the portal's lists (portal.paging, portal.search): one per filter, each ending
with the list's order (partner, …, newest reservation first, id), replacing the index on
(partner, reservation date) alone, whose order left ties to a sort."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('vouchers', '0005_request_id'),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name='voucher',
            name='vouchers_vo_partner_accf9c_idx',
        ),
        migrations.AddIndex(
            model_name='statement',
            index=models.Index(fields=['partner', '-issued_at', '-id'], name='statement_partner_newest'),
        ),
        migrations.AddIndex(
            model_name='voucher',
            index=models.Index(fields=['partner', '-reservation_date', '-id'], name='voucher_partner_newest'),
        ),
        migrations.AddIndex(
            model_name='voucher',
            index=models.Index(fields=['partner', 'state', '-reservation_date', '-id'], name='voucher_partner_state'),
        ),
        migrations.AddIndex(
            model_name='voucher',
            index=models.Index(fields=['store', 'partner', '-reservation_date', '-id'], name='voucher_store_partner'),
        ),
        migrations.AddIndex(
            model_name='voucher',
            index=models.Index(fields=['partner', 'payment_state', '-reservation_date', '-id'], name='voucher_partner_payment'),
        ),
        migrations.AddIndex(
            model_name='voucher',
            index=models.Index(fields=['partner', 'user_id', '-reservation_date', '-id'], name='voucher_partner_user'),
        ),
        migrations.AddIndex(
            model_name='voucher',
            index=models.Index(condition=models.Q(('state__in', ['REFUNDING', 'REFUNDED', 'REFUND_REJECTED'])), fields=['partner', '-reservation_date', '-id'], name='voucher_partner_refunds'),
        ),
        migrations.AddIndex(
            model_name='voucher',
            index=models.Index(condition=models.Q(('custom_transaction_id', ''), _negated=True), fields=['partner', 'custom_transaction_id'], name='voucher_partner_transaction'),
        ),
    ]
