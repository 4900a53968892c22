"""What starts a new generation of the public site (cache.invalidate), so no page shows stale content.

Any save or delete of a page (publishing, unpublishing, moving and deleting all save or delete it), of a
site, view restriction, contact setting, image, intake, program, kelurahan or consent text; and a change of
the home figures (counted again after delivery records change, and at least once a minute per process
because bulk updates send no signal).
"""

from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from wagtail.images import get_image_model
from wagtail.models import Page, PageViewRestriction, Site
from wagtail.signals import page_published, page_unpublished, post_page_move

from applicants.models import CapitalAward, ConsentVersion, Enrolment, FollowUp
from programs.models import Cohort, Intake, Kecamatan, Kelurahan, Program

from . import cache, figures
from .models import ContactSettings

# Kelurahan and ConsentVersion: the interest form's choices and privacy text are kept per process too.
CONTENT_MODELS = (Site, PageViewRestriction, ContactSettings, Intake, Program, Kecamatan, Kelurahan, ConsentVersion)
FIGURE_MODELS = (Enrolment, CapitalAward, FollowUp, Cohort)


def _invalidate(**kwargs) -> None:
    cache.invalidate()


def _page_changed(sender, **kwargs) -> None:
    if issubclass(sender, Page):
        cache.invalidate()


def _figures_may_have_changed(**kwargs) -> None:
    # Counted again by the next render in this process, and once more when the change is committed:
    # once per transaction, however many delivery rows it saves (a rolled-back one drops the callback).
    figures.clear_local()
    pending = transaction.get_connection().run_on_commit
    if not any(entry[1] is figures.recheck for entry in pending):
        transaction.on_commit(figures.recheck)


def connect() -> None:
    post_save.connect(_page_changed, dispatch_uid="public_pages.page_saved")
    post_delete.connect(_page_changed, dispatch_uid="public_pages.page_deleted")
    for name, signal in (("published", page_published), ("unpublished", page_unpublished),
                         ("moved", post_page_move)):
        signal.connect(_invalidate, dispatch_uid=f"public_pages.page_{name}")
    for model in (*CONTENT_MODELS, get_image_model()):
        post_save.connect(_invalidate, sender=model, dispatch_uid=f"public_pages.saved.{model.__name__}")
        post_delete.connect(_invalidate, sender=model, dispatch_uid=f"public_pages.deleted.{model.__name__}")
    m2m_changed.connect(_invalidate, sender=Intake.programs.through, dispatch_uid="public_pages.intake_programs")
    for model in FIGURE_MODELS:
        post_save.connect(_figures_may_have_changed, sender=model, dispatch_uid=f"public_pages.fig.{model.__name__}")
        post_delete.connect(_figures_may_have_changed, sender=model,
                            dispatch_uid=f"public_pages.figdel.{model.__name__}")
