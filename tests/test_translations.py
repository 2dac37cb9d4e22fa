"""Our French is what people read: no catalogue (Django's, another app's) shadows it.

Django merges the catalogues of every installed app, the earlier apps' first; a msgid that
Django's admin also translates (its "Filter" is "Filtre") took Django's French in the portal
until our apps came first in INSTALLED_APPS. Two of our apps translating one msgid two ways
would also show one of them only: that fails here as well.
"""

from django.utils.translation import gettext, override

from support import translations


def test_every_french_msgstr_of_ours_is_the_one_shown():
    shadowed = []
    with override("fr"):
        for catalogue, msgid, msgstr in translations.all_entries():
            if msgstr and gettext(msgid) != msgstr:
                app = catalogue.parents[3].name
                shadowed.append(f"{app}: {msgid!r} -> {gettext(msgid)!r}, not {msgstr!r}")
    assert not shadowed, shadowed


def test_the_portal_filter_button_says_filtrer():
    with override("fr"):
        assert gettext("Filter") == "Filtrer"
