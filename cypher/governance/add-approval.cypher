MATCH (r:PromotionRequest {id: $id})
CREATE (a:Approval {key: $id + ':' + $approver, approver: $approver, role: $role, asOwner: $asOwner,
                    comment: $comment, at: datetime.realtime()})-[:APPROVES]->(r)
RETURN a.key AS key
