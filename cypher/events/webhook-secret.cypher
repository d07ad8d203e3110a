// A webhook's signing secret as stored: in clear, or sealed (PEDIGREE_SIGNING_SECRET).
MATCH (w:Webhook {id: $id})
RETURN w.secret AS secret, w.sealedSecret AS sealedSecret
