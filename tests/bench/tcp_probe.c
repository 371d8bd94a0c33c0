/*
 * tcp_probe.c - the cheapest possible TCP check command for checkers
 * that run a command per check (exabgp-healthcheck): connect to
 * 127.0.0.1:PORT, exit 0 if the connection was accepted, 1 otherwise.
 * A C program, not nc or curl, so the comparison is as kind to the
 * command-based checker as it can be.
 *
 *   tcp_probe PORT
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int
main(int argc, char *argv[])
{
	struct sockaddr_in	sin;
	struct linger		l = { 1, 0 };
	int			fd, port;

	if (argc != 2 || (port = atoi(argv[1])) < 1 || port > 65535)
		return 2;
	if ((fd = socket(AF_INET, SOCK_STREAM, 0)) == -1)
		return 1;
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons((unsigned short)port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (connect(fd, (struct sockaddr *)&sin, sizeof(sin)) == -1)
		return 1;
	(void)setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof(l));
	close(fd);
	return 0;
}
