/* The floor for `validate`: libyaml's event parse of each file named on the
 * command line, nothing else (no tree, no decoding, no checks). Exits 1 at
 * the first file libyaml refuses.
 *
 *   cc -O2 -o yaml-events yaml-events.c $(pkg-config --cflags --libs yaml-0.1)
 */
#include <stdio.h>
#include <yaml.h>

int main(int argc, char **argv) {
    long events = 0;
    for (int i = 1; i < argc; i++) {
        FILE *file = fopen(argv[i], "rb");
        if (!file) {
            perror(argv[i]);
            return 1;
        }
        yaml_parser_t parser;
        yaml_event_t event;
        yaml_parser_initialize(&parser);
        yaml_parser_set_input_file(&parser, file);
        int done = 0;
        while (!done) {
            if (!yaml_parser_parse(&parser, &event)) {
                fprintf(stderr, "%s: %s\n", argv[i], parser.problem ? parser.problem : "invalid YAML");
                return 1;
            }
            done = event.type == YAML_STREAM_END_EVENT;
            yaml_event_delete(&event);
            events++;
        }
        yaml_parser_delete(&parser);
        fclose(file);
    }
    printf("%ld events\n", events);
    return 0;
}
