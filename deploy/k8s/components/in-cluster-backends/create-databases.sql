-- one database per deployable: each service refuses a database that belongs to another
CREATE DATABASE sunlight_gateway;
CREATE DATABASE sunlight_funds;
CREATE DATABASE sunlight_tenders;
CREATE DATABASE sunlight_approvals;
CREATE DATABASE sunlight_complaints;
CREATE DATABASE sunlight_integrity;
