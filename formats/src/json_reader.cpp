#include <myelin/formats/json_reader.hpp>

#include <vector>

namespace myelin::json_input {

namespace {

// Where the parser is: one frame per open object or array, each with the key or index of
// the element being read.
class json_path {
public:
    void enter(bool object) {
        step();
        frames_.push_back({object, {}, {}, 0, false});
    }
    void leave() { frames_.pop_back(); }
    void value() { step(); }
    // The next key of the innermost object; false if it was given before.
    bool key(const std::string& k) {
        auto& f = frames_.back();
        f.key = k;
        return f.keys.insert(k).second;
    }
    std::string path() const {
        std::string out;
        for (const auto& f : frames_) {
            if (f.object) out += (out.empty() ? "" : ".") + f.key;
            else out += fmt::format("[{}]", f.index);
        }
        return out;
    }

private:
    struct frame {
        bool object;
        std::set<std::string> keys;
        std::string key;
        std::size_t index;
        bool started;  // arrays: an element has begun
    };
    void step() {  // a new element starts in the innermost array
        if (frames_.empty() || frames_.back().object) return;
        auto& f = frames_.back();
        if (f.started) ++f.index;
        f.started = true;
    }
    std::vector<frame> frames_;
};

}  // namespace

json parse_json(const std::string& text, const std::string& file) {
    json_path where;
    const json::parser_callback_t check = [&](int, json::parse_event_t event, json& parsed) {
        switch (event) {
        case json::parse_event_t::object_start: where.enter(true); break;
        case json::parse_event_t::array_start: where.enter(false); break;
        case json::parse_event_t::object_end:
        case json::parse_event_t::array_end: where.leave(); break;
        case json::parse_event_t::value: where.value(); break;
        case json::parse_event_t::key: {
            const auto k = parsed.get<std::string>();
            if (!where.key(k))
                throw input_error(file, where.path(),
                                  fmt::format("the key \"{}\" is given twice in one object; keep one", k));
            break;
        }
        }
        return true;
    };
    try {
        return json::parse(text, check);
    } catch (const json::parse_error& e) {
        // what() is "[json.exception.parse_error.101] parse error at line L, column C: ...".
        std::string what = e.what();
        if (const auto pos = what.find("] "); pos != std::string::npos) what = what.substr(pos + 2);
        throw input_error(file, "", "not valid JSON: " + what);
    }
}

}  // namespace myelin::json_input
