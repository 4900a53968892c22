"""Choice lists shared by models, forms, filters and exports."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Sex(models.TextChoices):
    MALE = "L", _("Laki-laki")
    FEMALE = "P", _("Perempuan")


class DtksSelfReport(models.TextChoices):
    REGISTERED = "registered", _("Terdaftar")
    NOT_REGISTERED = "not_registered", _("Tidak terdaftar")
    UNSURE = "unsure", _("Tidak tahu")


class Source(models.TextChoices):
    ONLINE = "online", _("Formulir daring")
    WALK_IN = "walk_in", _("Datang ke kantor kelurahan")
    STAFF = "staff", _("Dimasukkan petugas")


class ApplicationStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Terkirim")
    VERIFIED = "verified", _("Terverifikasi")
    NOT_ELIGIBLE = "not_eligible", _("Tidak memenuhi syarat")
    INTERVIEW_SCHEDULED = "interview_scheduled", _("Wawancara dijadwalkan")
    INTERVIEWED = "interviewed", _("Sudah diwawancara")
    ACCEPTED = "accepted", _("Diterima")
    WAITLISTED = "waitlisted", _("Daftar tunggu")
    REJECTED = "rejected", _("Tidak diterima")
    ENROLLED = "enrolled", _("Terdaftar di kelas")
    WITHDRAWN = "withdrawn", _("Mengundurkan diri")


class Eligibility(models.TextChoices):
    PENDING = "pending", _("Belum dicek")
    VERIFIED = "verified", _("Terdaftar di DTSEN/DTKS")
    NOT_FOUND = "not_found", _("Tidak ditemukan")
    KK_MISMATCH = "kk_mismatch", _("NIK ditemukan, KK berbeda")
    DESIL_TOO_HIGH = "desil_too_high", _("Desil di atas batas")


class Register(models.TextChoices):
    DTSEN = "dtsen", _("DTSEN")
    DTKS = "dtks", _("DTKS")


class DecisionReason(models.TextChoices):
    """Why an application was not (yet) accepted. The label is what the resident reads: plain words."""

    NOT_IN_REGISTER = "not_in_register", _("Belum terdaftar di DTSEN/DTKS")
    KK_MISMATCH = "kk_mismatch", _("Nomor KK tidak sama dengan data DTSEN/DTKS")
    DESIL_TOO_HIGH = "desil_too_high", _("Tingkat kesejahteraan keluarga di atas batas program")
    AGE_OUT_OF_RANGE = "age_out_of_range", _("Usia di luar ketentuan")
    NO_SHOW = "no_show", _("Tidak hadir wawancara")
    QUOTA_FULL = "quota_full", _("Kuota kelurahan sudah penuh")
    OTHER_PROGRAM_FITS = "other_program_fits", _("Program lain lebih sesuai")
    NOT_AVAILABLE = "not_available", _("Belum bisa mengikuti pelatihan sampai selesai")
    FAMILY_ALREADY_ACCEPTED = "family_already_accepted", _("Anggota keluarga lain (satu KK) sudah diterima")
    ALREADY_TRAINED = "already_trained", _("Sudah pernah mengikuti pelatihan Dinsos")
    INCOMPLETE_DATA = "incomplete_data", _("Data pendaftaran tidak lengkap atau tidak benar")
