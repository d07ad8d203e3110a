MATCH (p:Principal {role: 'ADMIN'})
RETURN count(p) AS admins
