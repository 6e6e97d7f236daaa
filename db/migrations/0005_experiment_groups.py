"""An experiment belongs to a group: that group's members write in the experiment's work-space."""


def up(m):
    m.sql("ALTER TABLE experiments ADD COLUMN group_id BIGINT REFERENCES user_groups (id)")
