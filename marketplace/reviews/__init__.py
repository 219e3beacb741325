"""Reviews: buyers of delivered orders rate products; merchants reply once; ratings aggregate."""
