-- Orders with a positive amount, named countries.
select o.order_id, o.customer, c.country, o.amount
from {{ ref('raw_orders') }} as o
join {{ ref('countries') }} as c on c.country_code = o.country_code
where o.amount > 0
