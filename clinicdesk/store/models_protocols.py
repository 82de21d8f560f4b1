"""SQLAlchemy rows for protocol template versions an admin saved in the app (the shipped ones stay files)."""

from datetime import date, datetime

from sqlalchemy import JSON, Date, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from clinicdesk.store.models import Base, UtcDateTime


class ProtocolTemplateVersionRow(Base):
    """One version of a therapy, SOP or course template; append-only, so plans made from it can always be traced."""

    __tablename__ = "protocol_template_versions"
    __table_args__ = (UniqueConstraint("kind", "key", "version", name="uq_protocol_template_version"),)
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))  # therapy, sop, course
    key: Mapped[str] = mapped_column(String(40))
    version: Mapped[int] = mapped_column(Integer)
    effective_from: Mapped[date] = mapped_column(Date)
    body: Mapped[dict] = mapped_column(JSON)  # the template as the files hold it, without key, version and dates
    note: Mapped[str] = mapped_column(String(300), default="")
    created_by: Mapped[str] = mapped_column(ForeignKey("staff.id"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
