/*
 * tools/discctl/commands.h - the subcommands of discctl.
 * Each subcommand lives in its own cmd_NAME.c and has the signature
 *   int cmd_NAME(int argc, char **argv)   (argv[0] is the subcommand name)
 * returning the process exit code (see tools/common/cli.h).
 * To add one: declare it here, add a row to the table in main.c.
 */
#ifndef DFS_DISCCTL_COMMANDS_H
#define DFS_DISCCTL_COMMANDS_H

struct discctl_cmd {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *args;    /* synopsis after the name */
	const char *summary; /* one line */
};

int cmd_list(int argc, char **argv);
int cmd_info(int argc, char **argv);
int cmd_eject(int argc, char **argv);
int cmd_load(int argc, char **argv);
int cmd_lock(int argc, char **argv);
int cmd_unlock(int argc, char **argv);
int cmd_emu(int argc, char **argv);
int cmd_commit(int argc, char **argv);
int cmd_close(int argc, char **argv);
int cmd_burn(int argc, char **argv);
int cmd_erase(int argc, char **argv);
int cmd_format(int argc, char **argv);
int cmd_verify(int argc, char **argv);
int cmd_read(int argc, char **argv);
int cmd_ls(int argc, char **argv);
int cmd_extract(int argc, char **argv);
int cmd_fsck(int argc, char **argv);
int cmd_mkimage(int argc, char **argv);

#endif
