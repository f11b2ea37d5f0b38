"""Working hours, statutory holidays, make-up workdays and deadline arithmetic."""
