package dev.graceful.spring.boot.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import dev.graceful.GracefulShutdown;
import dev.graceful.servlet.GracefulFilter;
import dev.graceful.servlet.HealthServlet;
import dev.graceful.servlet.jetty.GracefulJettyHandler;
import dev.graceful.servlet.tomcat.GracefulValve;
import dev.graceful.spring.boot.internal.DrainedWebServerShutdown;
import dev.graceful.spring.boot.internal.EmbeddedServerHook;
import dev.graceful.spring.boot.internal.MvcEventStreams;
import dev.graceful.spring.boot.internal.ServletServerParticipants;
import jakarta.servlet.DispatcherType;
import org.apache.catalina.core.StandardContext;
import org.eclipse.jetty.ee11.servlet.ServletContextHandler;
import org.eclipse.jetty.server.Server;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jetty.JettyServerCustomizer;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.context.runner.ReactiveWebApplicationContextRunner;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.boot.tomcat.TomcatContextCustomizer;
import org.springframework.boot.tomcat.reactive.TomcatReactiveWebServerFactory;
import org.springframework.boot.tomcat.servlet.TomcatServletWebServerFactory;
import org.springframework.boot.web.server.Shutdown;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.boot.web.servlet.ServletRegistrationBean;
import org.springframework.boot.webmvc.autoconfigure.WebMvcAutoConfiguration;
import org.springframework.core.Ordered;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerAdapter;
import org.springframework.web.servlet.mvc.method.annotation.ResponseBodyEmitterReturnValueHandler;

/** The servlet side: graceful-servlet's hook (valve, handler or filter), health servlet and container participants. */
class GracefulServletAutoConfigurationTest {

    private final WebApplicationContextRunner runner = new WebApplicationContextRunner()
            .withConfiguration(
                    AutoConfigurations.of(GracefulAutoConfiguration.class, GracefulServletAutoConfiguration.class));

    @Test
    void registersTheTrackingFilterFirstOnEveryPathWithAsyncSupport() {
        runner.run(context -> {
            FilterRegistrationBean<?> filter =
                    context.getBean("gracefulFilterRegistration", FilterRegistrationBean.class);
            assertThat(filter.getFilter()).isInstanceOf(GracefulFilter.class);
            assertThat(filter.getOrder()).isEqualTo(Ordered.HIGHEST_PRECEDENCE);
            assertThat(filter.isAsyncSupported()).isTrue();
            assertThat(filter.getUrlPatterns()).containsExactly("/*");
            assertThat(filter.determineDispatcherTypes()).containsExactly(DispatcherType.REQUEST);
        });
    }

    @Test
    void servesTheHealthPathsThroughTheHealthServlet() {
        runner.withPropertyValues("graceful.health.readiness-paths=/ready", "graceful.health.liveness-paths=/alive")
                .run(context -> {
                    ServletRegistrationBean<?> health =
                            context.getBean("gracefulHealthServletRegistration", ServletRegistrationBean.class);
                    assertThat(health.getServlet()).isInstanceOf(HealthServlet.class);
                    assertThat(health.getUrlMappings()).containsExactlyInAnyOrder("/ready", "/alive");
                });
    }

    @Test
    void leavesHealthPathsToTheApplicationWhenDisabled() {
        runner.withPropertyValues("graceful.health.enabled=false")
                .run(context -> assertThat(context)
                        .hasBean("gracefulFilterRegistration")
                        .doesNotHaveBean("gracefulHealthServletRegistration"));
    }

    @Test
    void embeddedTomcatAndJettyGetTheServersOwnHookUnlessTheFilterIsAskedFor() {
        runner.run(context -> assertThat(context)
                .hasSingleBean(EmbeddedServerHook.class)
                .hasBean("gracefulTomcatValve")
                .hasBean("gracefulJettyHandler")
                .hasBean("gracefulFilterRegistration"));
        runner.withPropertyValues("graceful.servlet.hook=filter")
                .run(context -> assertThat(context)
                        .hasBean("gracefulFilterRegistration")
                        .doesNotHaveBean("gracefulTomcatValve")
                        .doesNotHaveBean("gracefulJettyHandler"));
    }

    @Test
    void anUnknownHookFailsStartupNamingTheProperty() {
        runner.withPropertyValues("graceful.servlet.hook=valve")
                .run(context -> assertThat(context)
                        .hasFailed()
                        .getFailure()
                        .hasStackTraceContaining("graceful.servlet.hook")
                        .hasStackTraceContaining("[valve]"));
    }

    @Test
    void theValveGoesIntoTheFirstTomcatContextOnlyAndTheRegistrationsThenStandAside() {
        runner.run(context -> {
            FilterRegistrationBean<?> filter =
                    context.getBean("gracefulFilterRegistration", FilterRegistrationBean.class);
            ServletRegistrationBean<?> health =
                    context.getBean("gracefulHealthServletRegistration", ServletRegistrationBean.class);
            assertThat(filter.isEnabled())
                    .as("a WAR builds no server: the filter is graceful's hook")
                    .isTrue();
            assertThat(health.isEnabled()).isTrue();

            TomcatContextCustomizer valve = context.getBean("gracefulTomcatValve", TomcatContextCustomizer.class);
            StandardContext application = new StandardContext();
            StandardContext management = new StandardContext();
            valve.customize(application);
            valve.customize(management);

            assertThat(application.getPipeline().getValves()).hasAtLeastOneElementOfType(GracefulValve.class);
            assertThat(management.getPipeline().getValves()).noneMatch(GracefulValve.class::isInstance);
            assertThat(filter.isEnabled()).isFalse();
            assertThat(health.isEnabled()).isFalse();
        });
    }

    @Test
    void theHandlerGoesIntoJettysServletContextAndTheRegistrationsThenStandAside() {
        runner.run(context -> {
            JettyServerCustomizer handler = context.getBean("gracefulJettyHandler", JettyServerCustomizer.class);
            handler.customize(new Server());
            assertThat(context.getBean(EmbeddedServerHook.class).installed())
                    .as("a server without a servlet context is left alone")
                    .isFalse();

            Server server = new Server();
            ServletContextHandler servlets = new ServletContextHandler();
            server.setHandler(servlets);
            handler.customize(server);

            assertThat(servlets.getDescendant(GracefulJettyHandler.class)).isNotNull();
            assertThat(context.getBean("gracefulFilterRegistration", FilterRegistrationBean.class)
                            .isEnabled())
                    .isFalse();
        });
    }

    @Test
    void registersParticipantsForEmbeddedTomcatAndJetty() {
        runner.run(context -> assertThat(context)
                .hasSingleBean(ServletServerParticipants.Tomcat.class)
                .hasSingleBean(ServletServerParticipants.Jetty.class));
    }

    @Test
    void theDrainedServerShutsDownImmediatelyOnceSpringClosesTheContext() {
        runner.withPropertyValues("server.shutdown=graceful").run(context -> {
            TomcatServletWebServerFactory tomcat = new TomcatServletWebServerFactory();
            tomcat.setShutdown(Shutdown.GRACEFUL);
            TomcatReactiveWebServerFactory notDrained = new TomcatReactiveWebServerFactory();
            notDrained.setShutdown(Shutdown.GRACEFUL);
            DrainedWebServerShutdown mode =
                    context.getBean("gracefulTomcatShutdownMode", DrainedWebServerShutdown.class);
            mode.customize(tomcat);
            mode.customize(notDrained);
            assertThat(tomcat.getShutdown()).isEqualTo(Shutdown.IMMEDIATE);
            assertThat(notDrained.getShutdown())
                    .as("a server graceful does not drain keeps Boot's setting")
                    .isEqualTo(Shutdown.GRACEFUL);
            assertThat(mode.getOrder()).as("after Boot applied server.shutdown").isEqualTo(Ordered.LOWEST_PRECEDENCE);
            assertThat(context).hasBean("gracefulJettyShutdownMode");
        });
    }

    @Test
    void onlyTheContainerOnTheClassPathGetsAParticipant() {
        runner.withClassLoader(new FilteredClassLoader(Server.class))
                .run(context -> assertThat(context)
                        .hasSingleBean(ServletServerParticipants.Tomcat.class)
                        .doesNotHaveBean(ServletServerParticipants.Jetty.class));
        runner.withClassLoader(new FilteredClassLoader("org.apache.catalina"))
                .run(context -> assertThat(context)
                        .doesNotHaveBean(ServletServerParticipants.Tomcat.class)
                        .hasSingleBean(ServletServerParticipants.Jetty.class));
    }

    @Test
    void springMvcEventStreamsLeaveThroughTheirEmittersOnlyWithSpringMvc() {
        runner.withConfiguration(AutoConfigurations.of(WebMvcAutoConfiguration.class))
                .run(context -> {
                    assertThat(context).hasSingleBean(MvcEventStreams.class);
                    RequestMappingHandlerAdapter adapter = context.getBean(RequestMappingHandlerAdapter.class);
                    assertThat(adapter.getReturnValueHandlers())
                            .as("Spring's emitter handler, wrapped")
                            .noneMatch(ResponseBodyEmitterReturnValueHandler.class::isInstance)
                            .anyMatch(h -> h.getClass().getEnclosingClass() == MvcEventStreams.class);
                });
        runner.withClassLoader(new FilteredClassLoader("org.springframework.web.servlet"))
                .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(MvcEventStreams.class));
    }

    @Test
    void startsWithoutGracefulServletOnTheClassPath() {
        runner.withClassLoader(new FilteredClassLoader("dev.graceful.servlet"))
                .run(context -> assertThat(context)
                        .hasNotFailed()
                        .hasSingleBean(GracefulShutdown.class)
                        .doesNotHaveBean("gracefulFilterRegistration"));
    }

    @Test
    void backsOffForApplicationDefinedRegistrations() {
        runner.withBean("gracefulFilterRegistration", FilterRegistrationBean.class, FilterRegistrationBean::new)
                .withBean(
                        "gracefulHealthServletRegistration",
                        ServletRegistrationBean.class,
                        ServletRegistrationBean::new)
                .run(context -> {
                    assertThat(context.getBean("gracefulFilterRegistration", FilterRegistrationBean.class)
                                    .getFilter())
                            .isNull();
                    assertThat(context.getBean("gracefulHealthServletRegistration", ServletRegistrationBean.class)
                                    .getServlet())
                            .isNull();
                });
    }

    @Test
    void nothingServletOutsideAServletApplicationOrWhenDisabled() {
        AutoConfigurations configs =
                AutoConfigurations.of(GracefulAutoConfiguration.class, GracefulServletAutoConfiguration.class);
        new ReactiveWebApplicationContextRunner()
                .withConfiguration(configs)
                .run(context -> assertThat(context).doesNotHaveBean("gracefulFilterRegistration"));
        new ApplicationContextRunner()
                .withConfiguration(configs)
                .run(context -> assertThat(context).doesNotHaveBean("gracefulFilterRegistration"));
        runner.withPropertyValues("graceful.enabled=false")
                .run(context -> assertThat(context)
                        .doesNotHaveBean("gracefulFilterRegistration")
                        .doesNotHaveBean(ServletServerParticipants.Tomcat.class));
    }
}
