"""The indexes of the portal's lists (portal.paging): one per filter, each ending with the list's
order (partner, …, newest reservation first, id), replacing the index on (partner, reservation
date) alone, whose order left ties to a sort.

The same indexes, by the same names and columns, as branch `indexes`' migration
0006_indexes_match_queries (which builds them online and drops the ones they make useless):
when both are merged, this migration gives way to that one. (`voucher_partner_user` is the
admin's, migration 0006_admin_lists.)"""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('vouchers', '0006_admin_lists'),
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
    ]
