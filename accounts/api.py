"""REST API endpoints of the accounts app: the account's custom domains."""

from datetime import datetime

from ninja import Field, Router, Schema

router = Router(tags=["Domains"])


class DomainOut(Schema):
    """A custom domain, with the field names of Mailsac's `Domain` schema."""

    id: str = Field(..., alias="_id", description="The domain name (IDNA-encoded, lowercase).")
    created: datetime
    updated: datetime
    owner: str = Field(..., description="The Account ID holding the domain.")
    verified: bool
    verificationTxt: str = Field(..., description="The TXT record value that proves ownership.")
    lastVerificationErrors: str = Field("", description="What the last DNS check found wrong, if anything.")
    isPrivate: bool = Field(True, description="Inboxes of a custom domain are never public.")


@router.get("/domains", response=list[DomainOut], by_alias=True, summary="List domains", operation_id="ListDomains")
def list_domains(request):
    """The custom domains of the key's account, by name."""
    account = request.auth.account
    return [
        {
            "_id": domain.name,
            "created": domain.created,
            "updated": domain.updated,
            "owner": account.username,
            "verified": domain.verified,
            "verificationTxt": domain.verification_txt,
            "lastVerificationErrors": domain.last_check_error,
            "isPrivate": True,
        }
        for domain in account.domains.order_by("name")
    ]
