package dev.graceful.spring.boot.internal;

import io.netty.channel.Channel;
import java.net.URI;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.http.HttpCookie;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.codec.ServerCodecConfigurer;
import org.springframework.http.server.reactive.AbstractServerHttpRequest;
import org.springframework.http.server.reactive.SslInfo;
import org.springframework.mock.http.server.reactive.MockServerHttpResponse;
import org.springframework.util.LinkedMultiValueMap;
import org.springframework.util.MultiValueMap;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.adapter.DefaultServerWebExchange;
import org.springframework.web.server.i18n.AcceptHeaderLocaleContextResolver;
import org.springframework.web.server.session.DefaultWebSessionManager;
import reactor.core.publisher.Flux;
import reactor.netty.Connection;

/** A GET whose native request is a Reactor Netty {@link Connection} on {@code channel}, as Reactor Netty's adapter gives it. */
final class ChannelRequest extends AbstractServerHttpRequest {
    private final Connection connection;

    private ChannelRequest(Channel channel, String path) {
        super(HttpMethod.GET, URI.create("http://localhost" + path), null, new HttpHeaders());
        this.connection = () -> channel;
    }

    static ServerWebExchange exchange(Channel channel, String path) {
        return new DefaultServerWebExchange(
                new ChannelRequest(channel, path),
                new MockServerHttpResponse(),
                new DefaultWebSessionManager(),
                ServerCodecConfigurer.create(),
                new AcceptHeaderLocaleContextResolver());
    }

    @Override
    protected MultiValueMap<String, HttpCookie> initCookies() {
        return new LinkedMultiValueMap<>();
    }

    @Override
    protected SslInfo initSslInfo() {
        return null;
    }

    @Override
    public Flux<DataBuffer> getBody() {
        return Flux.empty();
    }

    @Override
    @SuppressWarnings("unchecked")
    public <T> T getNativeRequest() {
        return (T) connection;
    }
}
