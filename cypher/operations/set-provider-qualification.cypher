// Sets a provider version's qualification (UNDER_EVALUATION, QUALIFIED,
// REJECTED) with who decided, when and why.
MATCH (p:ProviderModel {id: $id})
WITH p, coalesce(p.qualificationStatus, 'UNDER_EVALUATION') AS before
SET p.qualificationStatus = $status, p.qualificationNote = $note,
    p.qualifiedBy = $actor, p.qualificationAt = datetime.realtime()
RETURN p {.*} AS providerModel, before
