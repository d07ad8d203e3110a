// Every signing key Pedigree has made (active first, then newest): the public
// halves are what verification trusts; the private half's sealed form or file
// name is read by the signing service only.
MATCH (k:SigningKey)
RETURN k {.*} AS key
ORDER BY k.active DESC, k.createdAt DESC
