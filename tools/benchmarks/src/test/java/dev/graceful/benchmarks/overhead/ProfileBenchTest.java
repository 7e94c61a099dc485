package dev.graceful.benchmarks.overhead;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ProfileBenchTest {

    @Test
    void tomcatsNextValveAfterGracefulsIsAHandOffWhetherAuthenticatorOrBasicValve() {
        assertThat(ProfileBench.HAND_OFF
                        .matcher("org.apache.catalina.authenticator.AuthenticatorBase")
                        .matches())
                .isTrue();
        assertThat(ProfileBench.HAND_OFF
                        .matcher("org.apache.catalina.core.StandardContextValve")
                        .matches())
                .isTrue();
        assertThat(ProfileBench.HAND_OFF
                        .matcher("dev.graceful.servlet.tomcat.GracefulValve")
                        .matches())
                .isFalse();
    }

    @Test
    void webFluxsFilterChainAfterGracefulsWebFilterIsAHandOff() {
        assertThat(ProfileBench.HAND_OFF
                        .matcher("org.springframework.web.server.handler.DefaultWebFilterChain")
                        .matches())
                .isTrue();
        assertThat(ProfileBench.HAND_OFF
                        .matcher("dev.graceful.spring.boot.internal.GracefulWebFilter")
                        .matches())
                .isFalse();
    }

    @Test
    void jettysHandlerAfterGracefulsHandlerIsAHandOff() {
        assertThat(ProfileBench.HAND_OFF
                        .matcher("org.eclipse.jetty.server.Handler$Wrapper")
                        .matches())
                .isTrue();
        assertThat(ProfileBench.HAND_OFF
                        .matcher("dev.graceful.servlet.jetty.GracefulJettyHandler")
                        .matches())
                .isFalse();
    }
}
