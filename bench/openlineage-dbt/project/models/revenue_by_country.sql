select country, sum(amount) as revenue, count(*) as orders
from {{ ref('clean_orders') }}
group by country
