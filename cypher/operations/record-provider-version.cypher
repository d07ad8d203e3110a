// Records a provider version in the change log: the ProviderModel pin (made
// on first use, as registerProviderModel does) with its change date and impact
// assessment. A new version starts UNDER_EVALUATION; recording it again keeps
// its qualification. The SET takes the node's write lock before `before` is read.
MERGE (p:ProviderModel {provider: $provider, name: $name, providerVersion: $providerVersion})
  ON CREATE SET p.id = randomUUID(), p.uri = $uri, p.createdAt = datetime.realtime(), p.createdBy = $actor, p.isNew = true
SET p.changeLock = coalesce(p.changeLock, 0) + 1
WITH p, coalesce(p.isNew, false) AS created,
     {changeDate: p.changeDate, impactAssessment: p.impactAssessment, qualificationStatus: p.qualificationStatus} AS before
SET p.changeDate = datetime($changeDate),
    p.impactAssessment = coalesce($impactAssessment, p.impactAssessment),
    p.qualificationStatus = coalesce(p.qualificationStatus, 'UNDER_EVALUATION'),
    p.uri = coalesce(p.uri, $uri)
REMOVE p.isNew
RETURN p {.*} AS providerModel, created, before
