package dev.interlace.server;

import io.netty.channel.ChannelOption;

import org.springframework.boot.reactor.netty.NettyServerCustomizer;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;

/**
 * A fixed send buffer of 16 KB on the server's sockets instead of Linux's autotuned one (up to 4 MB): a client that
 * stops reading then stops taking events after some kilobytes rather than after however much the kernel decides to
 * hold, so that its subscription, not the kernel, holds what it does not read.
 */
@TestConfiguration(proxyBeanMethods = false)
class SmallSocketSendBuffers {

	@Bean
	NettyServerCustomizer smallSocketSendBuffers() {
		return (server) -> server.childOption(ChannelOption.SO_SNDBUF, 16 * 1024);
	}

}
