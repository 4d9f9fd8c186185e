/*
 * mmc/emu/faults.c - injected faults: a write error at an LBA, unreadable
 * ranges, power loss after N written sectors, the drive vanishing after N
 * commands, a drive that never becomes ready, a medium change (unit
 * attention 6/28/00) after N commands.  Faults live in the disc's
 * state (so `discctl emu fault` can arm them for the next opener).
 */
#include "mmc/emu/emu_int.h"

void emu_faults_clear(struct emu_faults *f)
{
	*f = (struct emu_faults){ .power_loss_after = -1, .vanish_after = -1,
				  .media_change_after = -1 };
}

bool emu_fault_write_error(const struct emu_disc *disc, uint32_t lba,
			   uint32_t n)
{
	const struct emu_faults *f = &disc->faults;
	return f->write_error && f->write_error_lba >= lba &&
	       (uint64_t)f->write_error_lba < (uint64_t)lba + n;
}

bool emu_fault_unreadable(const struct emu_disc *disc, uint32_t lba,
			  uint32_t n)
{
	const struct emu_faults *f = &disc->faults;
	uint64_t end = (uint64_t)lba + n; /* exclusive */
	for (unsigned i = 0; i < f->n_unreadable && i < EMU_MAX_UNREADABLE; i++)
		if (f->unreadable_first[i] < end &&
		    f->unreadable_last[i] >= lba)
			return true;
	return false;
}

uint32_t emu_fault_power_budget(const struct emu_disc *disc, uint32_t n)
{
	int64_t left = disc->faults.power_loss_after;
	if (left < 0 || left >= n)
		return n;
	return (uint32_t)left;
}

void emu_fault_power_loss(struct emu_drive *d)
{
	/* What reached the disc stays; the fault is spent. */
	d->disc.faults.power_loss_after = -1;
	emu_save(d);
	d->vanished = true;
}

bool emu_fault_vanish_tick(struct emu_drive *d)
{
	if (d->vanished)
		return true;
	if (!d->has_disc || d->disc.faults.vanish_after < 0)
		return false;
	if (d->disc.faults.vanish_after == 0) {
		d->disc.faults.vanish_after = -1;
		emu_save(d);
		d->vanished = true;
		return true;
	}
	d->disc.faults.vanish_after--;
	return false;
}

void emu_set_faults(struct emu_drive *d, const struct emu_faults *f)
{
	pthread_mutex_lock(&d->lock);
	if (d->has_disc) {
		d->disc.faults = *f;
		if (d->disc.faults.n_unreadable > EMU_MAX_UNREADABLE)
			d->disc.faults.n_unreadable = EMU_MAX_UNREADABLE;
	}
	pthread_mutex_unlock(&d->lock);
}

void emu_get_faults(struct emu_drive *d, struct emu_faults *f)
{
	pthread_mutex_lock(&d->lock);
	if (d->has_disc)
		*f = d->disc.faults;
	else
		emu_faults_clear(f);
	pthread_mutex_unlock(&d->lock);
}
