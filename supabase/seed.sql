-- placeholder, replaced by npm run seed:generate
select 1;
